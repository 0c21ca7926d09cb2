package io.jans.as.model.common;

/** Same values and fromString as io.jans.as.model.common.GrantType (jans-auth-server model). */
public enum GrantType {
    NONE("none"),
    AUTHORIZATION_CODE("authorization_code"),
    IMPLICIT("implicit"),
    RESOURCE_OWNER_PASSWORD_CREDENTIALS("password"),
    CLIENT_CREDENTIALS("client_credentials"),
    REFRESH_TOKEN("refresh_token"),
    UMA_TICKET("urn:ietf:params:oauth:grant-type:uma-ticket"),
    TOKEN_EXCHANGE("urn:ietf:params:oauth:grant-type:token-exchange"),
    CIBA("urn:openid:params:grant-type:ciba"),
    DEVICE_CODE("urn:ietf:params:oauth:grant-type:device_code");

    private final String value;

    GrantType(String value) {
        this.value = value;
    }

    public String getValue() { return value; }
    public String getParamName() { return value; }

    /** null when the value is not a grant type of this server. */
    public static GrantType fromString(String param) {
        if (param != null) {
            for (GrantType gt : values()) {
                if (param.equals(gt.value)) return gt;
            }
        }
        return null;
    }

    @Override
    public String toString() { return value; }
}
