package io.jans.as.server.model.common;

import io.jans.as.common.model.registration.Client;
import io.jans.as.common.service.AttributeService;
import io.jans.as.model.configuration.AppConfiguration;
import io.jans.as.model.token.JsonWebResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import java.util.function.Function;

/**
 * Stand-in for io.jans.as.server.model.common.ExecutionContext: what one token request carries
 * from hook to hook (request, grant, client, the caller's certificate, the id_token processors).
 */
public class ExecutionContext {
    private final HttpServletRequest httpRequest;
    private final HttpServletResponse httpResponse;
    private AuthorizationGrant grant;
    private Client client;
    private AppConfiguration appConfiguration;
    private AttributeService attributeService;
    private String certAsPem;
    private String dpop;
    private Function<JsonWebResponse, Void> preProcessing;
    private Function<JsonWebResponse, Void> postProcessor;

    public ExecutionContext(HttpServletRequest httpRequest, HttpServletResponse httpResponse) {
        this.httpRequest = httpRequest;
        this.httpResponse = httpResponse;
    }

    public HttpServletRequest getHttpRequest() { return httpRequest; }
    public HttpServletResponse getHttpResponse() { return httpResponse; }
    public AuthorizationGrant getGrant() { return grant; }
    public void setGrant(AuthorizationGrant grant) { this.grant = grant; }
    public Client getClient() { return client; }
    public void setClient(Client client) { this.client = client; }
    public AppConfiguration getAppConfiguration() { return appConfiguration; }
    public void setAppConfiguration(AppConfiguration appConfiguration) { this.appConfiguration = appConfiguration; }
    public AttributeService getAttributeService() { return attributeService; }
    public void setAttributeService(AttributeService attributeService) { this.attributeService = attributeService; }
    public String getCertAsPem() { return certAsPem; }
    public void setCertAsPem(String certAsPem) { this.certAsPem = certAsPem; }
    public String getDpop() { return dpop; }
    public void setDpop(String dpop) { this.dpop = dpop; }
    public Function<JsonWebResponse, Void> getPreProcessing() { return preProcessing; }
    public void setPreProcessing(Function<JsonWebResponse, Void> preProcessing) { this.preProcessing = preProcessing; }
    public Function<JsonWebResponse, Void> getPostProcessor() { return postProcessor; }
    public void setPostProcessor(Function<JsonWebResponse, Void> postProcessor) { this.postProcessor = postProcessor; }
}
