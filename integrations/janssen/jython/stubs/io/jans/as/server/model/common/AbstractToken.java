package io.jans.as.server.model.common;

import java.util.Calendar;
import java.util.Date;
import java.util.UUID;

/** Stand-in for io.jans.as.server.model.common.AbstractToken: code, creation and expiration, x5t#S256. */
public abstract class AbstractToken {
    private String code;
    private Date creationDate;
    private Date expirationDate;
    private String x5ts256;
    private String sessionDn;

    protected AbstractToken(int lifeTime) {
        Calendar calendar = Calendar.getInstance();
        creationDate = calendar.getTime();
        calendar.add(Calendar.SECOND, lifeTime);
        expirationDate = calendar.getTime();
        code = UUID.randomUUID().toString();
    }

    protected AbstractToken(String tokenCode, Date creationDate, Date expirationDate) {
        this.code = tokenCode;
        this.creationDate = creationDate;
        this.expirationDate = expirationDate;
    }

    public String getCode() { return code; }
    public void setCode(String code) { this.code = code; }
    public Date getCreationDate() { return creationDate; }
    public Date getExpirationDate() { return expirationDate; }
    public String getX5ts256() { return x5ts256; }
    public void setX5ts256(String x5ts256) { this.x5ts256 = x5ts256; }
    public String getSessionDn() { return sessionDn; }
    public void setSessionDn(String sessionDn) { this.sessionDn = sessionDn; }

    /** Seconds left (Janssen's: expiration minus now). */
    public int getExpiresIn() {
        return (int) Math.round((expirationDate.getTime() - System.currentTimeMillis()) / 1000.0);
    }

    /** test only: the lifetime it was created with, in seconds. */
    public long lifetimeSeconds() {
        return (expirationDate.getTime() - creationDate.getTime()) / 1000;
    }
}
