package io.jans.as.server.model.common;

import io.jans.as.common.model.common.User;
import io.jans.as.common.model.registration.Client;
import io.jans.as.model.common.GrantType;
import io.jans.as.server.model.authorize.JwtAuthorizationRequest;

import java.util.Collection;
import java.util.Set;

/** Stand-in for io.jans.as.server.model.common.IAuthorizationGrant: the members the script reads. */
public interface IAuthorizationGrant {
    GrantType getGrantType();
    String getGrantId();
    void setGrantId(String grantId);
    String getNonce();
    String getSub();
    AccessToken createAccessToken(ExecutionContext executionContext);
    RefreshToken createRefreshToken(ExecutionContext executionContext);
    RefreshToken createRefreshToken(ExecutionContext executionContext, int lifetime);
    IdToken createIdToken(String nonce, AuthorizationCode authorizationCode, AccessToken accessToken, RefreshToken refreshToken,
                          String state, ExecutionContext executionContext);
    String checkScopesPolicy(String scope);
    User getUser();
    String getUserId();
    String getClientId();
    Client getClient();
    Set<String> getScopes();
    void setScopes(Collection<String> scopes);
    JwtAuthorizationRequest getJwtAuthorizationRequest();
    void setJwtAuthorizationRequest(JwtAuthorizationRequest jwtAuthorizationRequest);
    String getAcrValues();
    void setAcrValues(String authMode);
}
