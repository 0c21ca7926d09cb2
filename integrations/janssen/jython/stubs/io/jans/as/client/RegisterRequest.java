package io.jans.as.client;

import org.json.JSONArray;
import org.json.JSONException;
import org.json.JSONObject;

import java.util.ArrayList;
import java.util.List;

/**
 * Stand-in for io.jans.as.client.RegisterRequest: fromJson(String) and fromJson(JSONObject) keep
 * the object they were built from (getJsonObject), as Janssen's do, and read the few members the
 * hooks and the host look at.
 */
public class RegisterRequest {
    private JSONObject jsonObject;
    private List<String> redirectUris = new ArrayList<>();
    private String softwareId;
    private String softwareStatement;
    private String tlsClientAuthSubjectDn;
    private String evidence;

    public static RegisterRequest fromJson(String json) throws JSONException {
        return fromJson(new JSONObject(json));
    }

    public static RegisterRequest fromJson(JSONObject requestObject) throws JSONException {
        RegisterRequest result = new RegisterRequest();
        result.setJsonObject(requestObject);
        JSONArray uris = requestObject.optJSONArray("redirect_uris");
        if (uris != null) {
            for (int i = 0; i < uris.length(); i++) result.redirectUris.add(uris.getString(i));
        }
        result.softwareId = blankToNull(requestObject.optString("software_id"));
        result.softwareStatement = blankToNull(requestObject.optString("software_statement"));
        result.tlsClientAuthSubjectDn = blankToNull(requestObject.optString("tls_client_auth_subject_dn"));
        result.evidence = blankToNull(requestObject.optString("evidence"));
        return result;
    }

    private static String blankToNull(String value) {
        return value == null || value.isEmpty() ? null : value;
    }

    public JSONObject getJsonObject() { return jsonObject; }
    public void setJsonObject(JSONObject jsonObject) { this.jsonObject = jsonObject; }
    public List<String> getRedirectUris() { return redirectUris; }
    public String getSoftwareId() { return softwareId; }
    public String getSoftwareStatement() { return softwareStatement; }
    public String getTlsClientAuthSubjectDn() { return tlsClientAuthSubjectDn; }
    public String getEvidence() { return evidence; }
}
