package io.jans.as.persistence.model;

/** Stand-in for io.jans.as.persistence.model.ClientAttributes: the subject DN only. */
public class ClientAttributes {
    private String tlsClientAuthSubjectDn;

    public String getTlsClientAuthSubjectDn() { return tlsClientAuthSubjectDn; }
    public void setTlsClientAuthSubjectDn(String tlsClientAuthSubjectDn) { this.tlsClientAuthSubjectDn = tlsClientAuthSubjectDn; }
}
