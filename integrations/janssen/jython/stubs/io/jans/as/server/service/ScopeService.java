package io.jans.as.server.service;

import io.jans.as.persistence.model.Scope;

import java.util.LinkedHashMap;
import java.util.Map;

/** Stand-in for io.jans.as.server.service.ScopeService: getScopeById (null when undefined). */
public class ScopeService {
    private final Map<String, Scope> scopes = new LinkedHashMap<>();

    public Scope getScopeById(String id) {
        return scopes.get(id);
    }

    /** test only: the scopes this server defines. */
    public void define(String id) {
        scopes.put(id, new Scope("inum=" + id.toUpperCase() + ",ou=scopes,o=jans", id));
    }
}
