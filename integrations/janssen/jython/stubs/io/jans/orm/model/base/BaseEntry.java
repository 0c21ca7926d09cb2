package io.jans.orm.model.base;

/** Stand-in for io.jans.orm.model.base.BaseEntry: an entry is named by its DN. */
public class BaseEntry {
    private String dn;

    public String getDn() { return dn; }
    public void setDn(String dn) { this.dn = dn; }
}
