package io.jans.as.server.model.common;

import java.util.Date;

/** Stand-in for io.jans.as.server.model.common.IdToken: here its code is the claims JSON (unsigned). */
public class IdToken extends AbstractToken {
    public IdToken(String code, Date creationDate, Date expirationDate) {
        super(code, creationDate, expirationDate);
    }
}
