package io.jans.as.server.util;

import io.jans.orm.PersistenceEntryManager;
import io.jans.service.cdi.util.CdiUtil;

/** Stand-in for io.jans.as.server.util.ServerUtil.getLdapManager (the persistence bean). */
public final class ServerUtil {
    private ServerUtil() {
    }

    public static PersistenceEntryManager getLdapManager() {
        try {
            return CdiUtil.bean(PersistenceEntryManager.class);
        } catch (IllegalStateException e) {
            return null;
        }
    }
}
