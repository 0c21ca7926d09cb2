package io.jans.as.server.model.common;

import java.util.Date;

/** Stand-in for io.jans.as.server.model.common.RefreshToken. */
public class RefreshToken extends AbstractToken {
    public RefreshToken(int lifeTime) {
        super(lifeTime);
    }

    public RefreshToken(String tokenCode, Date creationDate, Date expirationDate) {
        super(tokenCode, creationDate, expirationDate);
    }
}
