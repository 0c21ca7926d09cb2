package jakarta.ws.rs.core;

/** Stand-in for jakarta.ws.rs.core.MediaType: the one constant the context uses. */
public class MediaType {
    public static final MediaType APPLICATION_JSON_TYPE = new MediaType("application", "json");

    private final String type;
    private final String subtype;

    public MediaType(String type, String subtype) {
        this.type = type;
        this.subtype = subtype;
    }

    @Override
    public String toString() {
        return type + "/" + subtype;
    }
}
