package io.jans.as.persistence.model;

import io.jans.orm.model.base.BaseEntry;

/** Stand-in for io.jans.as.persistence.model.Scope: id and DN. */
public class Scope extends BaseEntry {
    private String id;

    public Scope() {
    }

    public Scope(String dn, String id) {
        setDn(dn);
        this.id = id;
    }

    public String getId() { return id; }
    public void setId(String id) { this.id = id; }
}
