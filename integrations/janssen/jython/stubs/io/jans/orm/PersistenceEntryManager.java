package io.jans.orm;

/** Stand-in for io.jans.orm.PersistenceEntryManager: find(Class, primaryKey) only. */
public interface PersistenceEntryManager {
    <T> T find(Class<T> entryClass, Object primaryKey);
}
