package io.jans.model;

/** Stand-in for io.jans.model.SimpleCustomProperty (jans-core): a script property is (name, value). */
public class SimpleCustomProperty {
    private String value1;
    private String value2;
    private String description;

    public SimpleCustomProperty() {
    }

    public SimpleCustomProperty(String value1, String value2) {
        this.value1 = value1;
        this.value2 = value2;
    }

    public SimpleCustomProperty(String value1, String value2, String description) {
        this(value1, value2);
        this.description = description;
    }

    public String getValue1() { return value1; }
    public void setValue1(String value1) { this.value1 = value1; }
    public String getValue2() { return value2; }
    public void setValue2(String value2) { this.value2 = value2; }
    public String getDescription() { return description; }
    public void setDescription(String description) { this.description = description; }
}
