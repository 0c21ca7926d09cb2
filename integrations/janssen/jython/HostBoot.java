import java.io.File;
import java.lang.reflect.InvocationTargetException;
import java.net.URL;
import java.net.URLClassLoader;
import java.util.Arrays;

/**
 * Starts JanssenHost the way a web application's code runs beside Jython: Jython (and
 * BouncyCastle) on the JVM's class path, the Janssen stand-ins and the host in a child class
 * loader that is also the thread's context class loader. Jython then finds the Janssen classes only
 * as Janssen's own scripts do (import statements, through the context class loader), not through
 * the JVM's list of loaded packages; with everything on one class path, `__import__("io.jans...")`
 * can work here and still fail in Janssen.
 *
 *   java -cp jython.jar:bcprov.jar:BOOT HostBoot CLASSES JanssenHost registration|token ARGS...
 */
public final class HostBoot {
    private HostBoot() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 2) {
            throw new IllegalArgumentException("usage: HostBoot CLASSES MAIN-CLASS ARGS...");
        }
        URLClassLoader child = new URLClassLoader(new URL[]{new File(args[0]).toURI().toURL()}, HostBoot.class.getClassLoader());
        Thread.currentThread().setContextClassLoader(child);
        Class<?> main = Class.forName(args[1], true, child);
        try {
            main.getMethod("main", String[].class).invoke(null, (Object) Arrays.copyOfRange(args, 2, args.length));
        } catch (InvocationTargetException e) {
            Throwable cause = e.getCause();
            if (cause instanceof Exception) throw (Exception) cause;
            if (cause instanceof Error) throw (Error) cause;
            throw e;
        }
    }
}
