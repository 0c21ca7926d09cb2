package jakarta.servlet.http;

/** Stand-in for jakarta.servlet.http.HttpServletRequest: the few methods the hooks read. */
public interface HttpServletRequest {
    String getHeader(String name);

    String getParameter(String name);

    String getRemoteAddr();
}
