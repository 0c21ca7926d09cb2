package io.jans.as.server.service.external.context;

import io.jans.as.server.util.ServerUtil;
import io.jans.orm.PersistenceEntryManager;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.ws.rs.core.CacheControl;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.jboss.resteasy.spi.NoLogWebApplicationException;

/**
 * Stand-in for io.jans.as.server.service.external.context.ExternalScriptContext: the persistence
 * manager and createWebApplicationException / throwWebApplicationExceptionIfSet as Janssen has them.
 */
public class ExternalScriptContext extends io.jans.service.external.context.ExternalScriptContext {
    private final PersistenceEntryManager persistenceEntryManager;
    private NoLogWebApplicationException webApplicationException;

    public ExternalScriptContext(HttpServletRequest httpRequest) {
        super(httpRequest);
        this.persistenceEntryManager = ServerUtil.getLdapManager();
    }

    public String getRequestParameter(String parameterName) {
        return httpRequest != null ? httpRequest.getParameter(parameterName) : null;
    }

    public PersistenceEntryManager getPersistenceEntryManager() {
        return persistenceEntryManager;
    }

    public NoLogWebApplicationException getWebApplicationException() {
        return webApplicationException;
    }

    public void setWebApplicationException(NoLogWebApplicationException webApplicationException) {
        this.webApplicationException = webApplicationException;
    }

    public NoLogWebApplicationException createWebApplicationException(Response response) {
        return new NoLogWebApplicationException(response);
    }

    public NoLogWebApplicationException createWebApplicationException(int status, String entity) {
        CacheControl cacheControl = new CacheControl();
        cacheControl.setNoStore(true);
        this.webApplicationException = new NoLogWebApplicationException(Response.status(status).entity(entity)
                .type(MediaType.APPLICATION_JSON_TYPE).cacheControl(cacheControl).build());
        return this.webApplicationException;
    }

    public void throwWebApplicationExceptionIfSet() {
        if (webApplicationException != null) {
            throw webApplicationException;
        }
    }
}
