package io.jans.as.server.model.common;

import io.jans.as.common.model.common.User;
import io.jans.as.common.model.registration.Client;
import io.jans.as.model.common.GrantType;

import java.util.Date;

/** Stand-in for io.jans.as.server.model.common.AuthorizationCodeGrant. */
public class AuthorizationCodeGrant extends AuthorizationGrant {
    private AuthorizationCode authorizationCode;

    public AuthorizationCodeGrant(User user, Client client, Date authenticationTime) {
        super(user, client, authenticationTime);
    }

    @Override
    public GrantType getGrantType() { return GrantType.AUTHORIZATION_CODE; }

    public AuthorizationCode getAuthorizationCode() { return authorizationCode; }
    public void setAuthorizationCode(AuthorizationCode authorizationCode) { this.authorizationCode = authorizationCode; }
}
