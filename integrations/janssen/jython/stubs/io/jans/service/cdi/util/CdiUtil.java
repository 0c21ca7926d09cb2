package io.jans.service.cdi.util;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** Stand-in for io.jans.service.cdi.util.CdiUtil (jans-core): bean(Class) from a plain registry. */
public final class CdiUtil {
    private static final Map<Class<?>, Object> BEANS = new ConcurrentHashMap<>();

    private CdiUtil() {
    }

    public static <T> T bean(Class<T> clazz) {
        Object bean = BEANS.get(clazz);
        if (bean == null) {
            throw new IllegalStateException("no bean of " + clazz.getName());
        }
        return clazz.cast(bean);
    }

    /** test only: what the CDI container would inject. */
    public static <T> void register(Class<T> clazz, T bean) {
        if (bean == null) {
            BEANS.remove(clazz);
        } else {
            BEANS.put(clazz, bean);
        }
    }
}
