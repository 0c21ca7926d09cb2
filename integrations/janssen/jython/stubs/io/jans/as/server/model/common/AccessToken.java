package io.jans.as.server.model.common;

/** Stand-in for io.jans.as.server.model.common.AccessToken. */
public class AccessToken extends AbstractToken {
    public AccessToken(int lifeTime) {
        super(lifeTime);
    }
}
