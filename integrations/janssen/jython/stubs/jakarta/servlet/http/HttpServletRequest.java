package jakarta.servlet.http;

/** Stand-in for jakarta.servlet.http.HttpServletRequest: the few methods the hooks use. */
public interface HttpServletRequest {
    String getHeader(String name);

    String getParameter(String name);

    String getRemoteAddr();

    Object getAttribute(String name);

    void setAttribute(String name, Object value);

    void removeAttribute(String name);
}
