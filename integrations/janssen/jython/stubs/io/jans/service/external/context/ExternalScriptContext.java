package io.jans.service.external.context;

import jakarta.servlet.http.HttpServletRequest;

/** Stand-in for io.jans.service.external.context.ExternalScriptContext (jans-core). */
public class ExternalScriptContext {
    protected HttpServletRequest httpRequest;

    public ExternalScriptContext(HttpServletRequest httpRequest) {
        this.httpRequest = httpRequest;
    }

    public HttpServletRequest getHttpRequest() {
        return httpRequest;
    }

    public String getIpAddress() {
        return httpRequest != null ? httpRequest.getRemoteAddr() : "";
    }
}
