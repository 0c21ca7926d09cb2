package io.jans.as.server.model.common;

/** Stand-in for io.jans.as.server.model.common.AuthorizationCode. */
public class AuthorizationCode extends AbstractToken {
    public AuthorizationCode(int lifeTime) {
        super(lifeTime);
    }
}
