package io.jans.as.persistence.model;

import java.util.ArrayList;
import java.util.List;

/** Stand-in for io.jans.as.persistence.model.ClientAttributes: the subject DN and the Update Token script DNs. */
public class ClientAttributes {
    private String tlsClientAuthSubjectDn;
    private List<String> updateTokenScriptDns = new ArrayList<>();

    public String getTlsClientAuthSubjectDn() { return tlsClientAuthSubjectDn; }
    public void setTlsClientAuthSubjectDn(String tlsClientAuthSubjectDn) { this.tlsClientAuthSubjectDn = tlsClientAuthSubjectDn; }

    public List<String> getUpdateTokenScriptDns() {
        if (updateTokenScriptDns == null) updateTokenScriptDns = new ArrayList<>();
        return updateTokenScriptDns;
    }

    public void setUpdateTokenScriptDns(List<String> updateTokenScriptDns) { this.updateTokenScriptDns = updateTokenScriptDns; }
}
