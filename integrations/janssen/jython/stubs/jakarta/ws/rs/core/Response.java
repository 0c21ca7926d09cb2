package jakarta.ws.rs.core;

/** Stand-in for jakarta.ws.rs.core.Response: status, entity, media type and cache control. */
public class Response {
    private final int status;
    private final Object entity;
    private final MediaType mediaType;
    private final CacheControl cacheControl;

    private Response(int status, Object entity, MediaType mediaType, CacheControl cacheControl) {
        this.status = status;
        this.entity = entity;
        this.mediaType = mediaType;
        this.cacheControl = cacheControl;
    }

    public int getStatus() { return status; }
    public Object getEntity() { return entity; }
    public MediaType getMediaType() { return mediaType; }
    public CacheControl getCacheControl() { return cacheControl; }

    public static ResponseBuilder status(int status) {
        return new ResponseBuilder(status);
    }

    public static class ResponseBuilder {
        private final int status;
        private Object entity;
        private MediaType mediaType;
        private CacheControl cacheControl;

        ResponseBuilder(int status) {
            this.status = status;
        }

        public ResponseBuilder entity(Object entity) { this.entity = entity; return this; }
        public ResponseBuilder type(MediaType type) { this.mediaType = type; return this; }
        public ResponseBuilder cacheControl(CacheControl cacheControl) { this.cacheControl = cacheControl; return this; }
        public Response build() { return new Response(status, entity, mediaType, cacheControl); }
    }
}
