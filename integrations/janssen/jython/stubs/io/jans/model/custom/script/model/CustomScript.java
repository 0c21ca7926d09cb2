package io.jans.model.custom.script.model;

import io.jans.orm.model.base.BaseEntry;

/** Stand-in for io.jans.model.custom.script.model.CustomScript (jans-core): an entry named by its DN. */
public class CustomScript extends BaseEntry {
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
