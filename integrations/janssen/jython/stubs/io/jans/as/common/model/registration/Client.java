package io.jans.as.common.model.registration;

import io.jans.as.model.common.GrantType;
import io.jans.as.model.common.ResponseType;
import io.jans.as.persistence.model.ClientAttributes;
import io.jans.orm.model.base.BaseEntry;

/**
 * Stand-in for io.jans.as.common.model.registration.Client: the properties the scripts write and
 * read, with Janssen's types (String[] for URIs and scope DNs, enum arrays for grant and response
 * types; organization is the entry's "o" attribute, softwareId "jansSoftId").
 */
public class Client extends BaseEntry {
    private String clientId;
    private String[] redirectUris;
    private ResponseType[] responseTypes;
    private GrantType[] grantTypes;
    private String clientName;
    private String jwksUri;
    private String idTokenSignedResponseAlg;
    private String userInfoSignedResponseAlg;
    private String requestObjectSigningAlg;
    private String tokenEndpointAuthMethod;
    private String tokenEndpointAuthSigningAlg;
    private String[] scopes;
    private String softwareId;
    private String softwareStatement;
    private String organization;
    private boolean accessTokenAsJwt;
    private ClientAttributes attributes;

    public ClientAttributes getAttributes() {
        if (attributes == null) attributes = new ClientAttributes();
        return attributes;
    }

    public void setAttributes(ClientAttributes attributes) { this.attributes = attributes; }
    public String getClientId() { return clientId; }
    public void setClientId(String clientId) { this.clientId = clientId; }
    public String[] getRedirectUris() { return redirectUris; }
    public void setRedirectUris(String[] redirectUris) { this.redirectUris = redirectUris; }
    public ResponseType[] getResponseTypes() { return responseTypes; }
    public void setResponseTypes(ResponseType[] responseTypes) { this.responseTypes = responseTypes; }
    public GrantType[] getGrantTypes() { return grantTypes; }
    public void setGrantTypes(GrantType[] grantTypes) { this.grantTypes = grantTypes; }
    public String getClientName() { return clientName; }
    public void setClientName(String clientName) { this.clientName = clientName; }
    public String getJwksUri() { return jwksUri; }
    public void setJwksUri(String jwksUri) { this.jwksUri = jwksUri; }
    public String getIdTokenSignedResponseAlg() { return idTokenSignedResponseAlg; }
    public void setIdTokenSignedResponseAlg(String alg) { this.idTokenSignedResponseAlg = alg; }
    public String getUserInfoSignedResponseAlg() { return userInfoSignedResponseAlg; }
    public void setUserInfoSignedResponseAlg(String alg) { this.userInfoSignedResponseAlg = alg; }
    public String getRequestObjectSigningAlg() { return requestObjectSigningAlg; }
    public void setRequestObjectSigningAlg(String alg) { this.requestObjectSigningAlg = alg; }
    public String getTokenEndpointAuthMethod() { return tokenEndpointAuthMethod; }
    public void setTokenEndpointAuthMethod(String method) { this.tokenEndpointAuthMethod = method; }
    public String getTokenEndpointAuthSigningAlg() { return tokenEndpointAuthSigningAlg; }
    public void setTokenEndpointAuthSigningAlg(String alg) { this.tokenEndpointAuthSigningAlg = alg; }
    public String[] getScopes() { return scopes; }
    public void setScopes(String[] scopes) { this.scopes = scopes; }
    public String getSoftwareId() { return softwareId; }
    public void setSoftwareId(String softwareId) { this.softwareId = softwareId; }
    public String getSoftwareStatement() { return softwareStatement; }
    public void setSoftwareStatement(String softwareStatement) { this.softwareStatement = softwareStatement; }
    public String getOrganization() { return organization; }
    public void setOrganization(String organization) { this.organization = organization; }
    public boolean isAccessTokenAsJwt() { return accessTokenAsJwt; }
    public void setAccessTokenAsJwt(boolean accessTokenAsJwt) { this.accessTokenAsJwt = accessTokenAsJwt; }
}
