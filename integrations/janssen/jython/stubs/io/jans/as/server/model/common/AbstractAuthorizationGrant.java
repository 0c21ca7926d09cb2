package io.jans.as.server.model.common;

import io.jans.as.common.model.common.User;
import io.jans.as.common.model.registration.Client;
import io.jans.as.model.configuration.AppConfiguration;
import io.jans.as.model.util.CertUtils;
import io.jans.as.server.model.authorize.JwtAuthorizationRequest;
import io.jans.as.server.service.external.ExternalUpdateTokenService;
import io.jans.as.server.service.external.context.ExternalUpdateTokenContext;
import io.jans.service.cdi.util.CdiUtil;

import java.util.Collection;
import java.util.Date;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArraySet;

/**
 * Stand-in for io.jans.as.server.model.common.AbstractAuthorizationGrant, with Janssen's
 * createAccessToken (the lifetime from getAccessTokenLifetimeInSeconds of the Update Token
 * scripts, the certificate's x5t#S256) and createRefreshToken (the configured lifetime, or the
 * one given). Scopes are kept in a CopyOnWriteArraySet, as Janssen's.
 */
public abstract class AbstractAuthorizationGrant implements IAuthorizationGrant {
    private User user;
    private Client client;
    private final Set<String> scopes = new CopyOnWriteArraySet<>();
    private String grantId = UUID.randomUUID().toString();
    private JwtAuthorizationRequest jwtAuthorizationRequest;
    private Date authenticationTime;
    private String nonce;
    private String claims;
    private String acrValues;

    protected AbstractAuthorizationGrant(User user, Client client, Date authenticationTime) {
        this.user = user;
        this.client = client;
        this.authenticationTime = authenticationTime;
    }

    protected AppConfiguration appConfiguration() { return CdiUtil.bean(AppConfiguration.class); }
    protected ExternalUpdateTokenService externalUpdateTokenService() { return CdiUtil.bean(ExternalUpdateTokenService.class); }

    @Override public synchronized String getGrantId() { return grantId; }
    @Override public synchronized void setGrantId(String grantId) { this.grantId = grantId; }
    @Override public String getNonce() { return nonce; }
    public void setNonce(String nonce) { this.nonce = nonce; }
    public String getClaims() { return claims; }
    public void setClaims(String claims) { this.claims = claims; }
    @Override public String getAcrValues() { return acrValues; }
    @Override public void setAcrValues(String acrValues) { this.acrValues = acrValues; }
    @Override public User getUser() { return user; }
    @Override public String getUserId() { return user == null ? null : user.getUserId(); }
    @Override public Client getClient() { return client; }
    @Override public String getClientId() { return client == null ? null : client.getClientId(); }
    @Override public Set<String> getScopes() { return scopes; }
    public Date getAuthenticationTime() { return authenticationTime; }
    @Override public JwtAuthorizationRequest getJwtAuthorizationRequest() { return jwtAuthorizationRequest; }
    @Override public void setJwtAuthorizationRequest(JwtAuthorizationRequest request) { this.jwtAuthorizationRequest = request; }

    @Override
    public void setScopes(Collection<String> scopes) {
        this.scopes.clear();
        this.scopes.addAll(scopes);
    }

    /** A simplification of ScopeChecker: the requested scopes, as given. */
    @Override
    public String checkScopesPolicy(String requestedScopes) {
        this.scopes.clear();
        for (String scope : requestedScopes.trim().split("\\s+")) {
            if (!scope.isEmpty()) this.scopes.add(scope);
        }
        return String.join(" ", this.scopes);
    }

    public int getAccessTokenLifetimeInSeconds(ExecutionContext executionContext) {
        int lifetime = appConfiguration().getAccessTokenLifetime();
        int lifetimeFromScript = externalUpdateTokenService().getAccessTokenLifetimeInSeconds(ExternalUpdateTokenContext.of(executionContext));
        if (lifetimeFromScript > 0) {
            lifetime = lifetimeFromScript;
        }
        return lifetime;
    }

    @Override
    public AccessToken createAccessToken(ExecutionContext executionContext) {
        AccessToken accessToken = new AccessToken(getAccessTokenLifetimeInSeconds(executionContext));
        accessToken.setX5ts256(CertUtils.confirmationMethodHashS256(executionContext.getCertAsPem()));
        return accessToken;
    }

    @Override
    public RefreshToken createRefreshToken(ExecutionContext context) {
        return new RefreshToken(appConfiguration().getRefreshTokenLifetime());
    }

    @Override
    public RefreshToken createRefreshToken(ExecutionContext context, int lifetime) {
        return new RefreshToken(lifetime);
    }
}
