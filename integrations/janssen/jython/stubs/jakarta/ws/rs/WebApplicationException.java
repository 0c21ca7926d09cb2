package jakarta.ws.rs;

import jakarta.ws.rs.core.Response;

/** Stand-in for jakarta.ws.rs.WebApplicationException: a RuntimeException carrying a Response. */
public class WebApplicationException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final transient Response response;

    public WebApplicationException(Response response) {
        super("HTTP " + (response == null ? 500 : response.getStatus()));
        this.response = response;
    }

    public Response getResponse() {
        return response;
    }
}
