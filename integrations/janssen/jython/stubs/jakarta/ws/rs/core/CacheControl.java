package jakarta.ws.rs.core;

/** Stand-in for jakarta.ws.rs.core.CacheControl. */
public class CacheControl {
    private boolean noStore;

    public boolean isNoStore() { return noStore; }
    public void setNoStore(boolean noStore) { this.noStore = noStore; }
}
