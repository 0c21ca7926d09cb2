package jakarta.servlet.http;

/** Stand-in for jakarta.servlet.http.HttpServletResponse (carried by the contexts, unused). */
public interface HttpServletResponse {
}
