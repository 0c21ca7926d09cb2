package io.jans.model.custom.script.model;

/** Stand-in for io.jans.model.custom.script.model.CustomScript (jans-core). */
public class CustomScript {
    private String name;
    private String script;

    public CustomScript() {
    }

    public CustomScript(String name, String script) {
        this.name = name;
        this.script = script;
    }

    public String getName() { return name; }
    public void setName(String name) { this.name = name; }
    public String getScript() { return script; }
    public void setScript(String script) { this.script = script; }
}
