package io.jans.as.model.configuration;

/** Stand-in for io.jans.as.model.configuration.AppConfiguration: the default token lifetimes. */
public class AppConfiguration {
    private int accessTokenLifetime = 3600;
    private int idTokenLifetime = 3600;
    private int refreshTokenLifetime = 14400;
    private String issuer = "https://as.example.com";

    public int getAccessTokenLifetime() { return accessTokenLifetime; }
    public void setAccessTokenLifetime(int value) { accessTokenLifetime = value; }
    public int getIdTokenLifetime() { return idTokenLifetime; }
    public void setIdTokenLifetime(int value) { idTokenLifetime = value; }
    public int getRefreshTokenLifetime() { return refreshTokenLifetime; }
    public void setRefreshTokenLifetime(int value) { refreshTokenLifetime = value; }
    public String getIssuer() { return issuer; }
    public void setIssuer(String issuer) { this.issuer = issuer; }
}
