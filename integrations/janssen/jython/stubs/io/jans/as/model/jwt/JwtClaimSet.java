package io.jans.as.model.jwt;

import org.json.JSONArray;
import org.json.JSONObject;

import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Stand-in for io.jans.as.model.jwt.JwtClaimSet (jans-auth-server model) with Janssen's complete
 * set of setClaim overloads (String, Date, Boolean, Integer, Long, Character, List, JSONObject,
 * JSONArray), so that Jython chooses among them exactly as it does in Janssen. (The
 * JwtSubClaimObject overload is left out.) Values are kept as given; toJsonObject renders them the
 * way Janssen does (a Date as seconds, a List as a JSONArray).
 */
public abstract class JwtClaimSet {
    private final Map<String, Object> claims = new LinkedHashMap<>();

    protected JwtClaimSet() {
    }

    public Set<String> keys() { return claims.keySet(); }
    public Object getClaim(String key) { return claims.get(key); }
    public boolean hasClaim(String key) { return getClaim(key) != null; }

    public String getClaimAsString(String key) {
        Object claim = getClaim(key);
        return claim != null ? claim.toString() : null;
    }

    public void setClaimObject(String key, Object value, boolean overrideValue) {
        if (value == null) setNullClaim(key);
        else if (value instanceof String) setClaim(key, (String) value);
        else if (value instanceof Date) setClaim(key, (Date) value);
        else if (value instanceof Boolean) setClaim(key, (Boolean) value);
        else if (value instanceof Integer) setClaim(key, (Integer) value);
        else if (value instanceof Long) setClaim(key, (Long) value);
        else if (value instanceof Character) setClaim(key, (Character) value);
        else if (value instanceof List) setClaim(key, (List<?>) value);
        else if (value instanceof JSONObject) setClaim(key, (JSONObject) value);
        else if (value instanceof JSONArray) setClaim(key, (JSONArray) value);
        else throw new UnsupportedOperationException("Claim value is not supported, key: " + key + ", value :" + value);
    }

    public void setNullClaim(String key) { claims.put(key, null); }
    public void setClaim(String key, String value) { claims.put(key, value); }
    public void setClaim(String key, Date value) { claims.put(key, value); }
    public void setClaim(String key, Boolean value) { claims.put(key, value); }
    public void setClaim(String key, Integer value) { claims.put(key, value); }
    public void setClaim(String key, Long value) { claims.put(key, value); }
    public void setClaim(String key, Character value) { claims.put(key, value); }
    public void setClaim(String key, List<?> values) { claims.put(key, values); }
    public void setClaim(String key, JSONObject values) { claims.put(key, values); }
    public void setClaim(String key, JSONArray values) { claims.put(key, values); }
    public void removeClaim(String key) { claims.remove(key); }

    public JSONObject toJsonObject() {
        JSONObject json = new JSONObject();
        for (Map.Entry<String, Object> claim : claims.entrySet()) {
            Object value = claim.getValue();
            if (value instanceof Date) {
                json.put(claim.getKey(), ((Date) value).getTime() / 1000);
            } else if (value instanceof List) {
                JSONArray array = new JSONArray();
                for (Object item : (List<?>) value) array.put(item);
                json.put(claim.getKey(), array);
            } else {
                json.put(claim.getKey(), value == null ? JSONObject.NULL : value);
            }
        }
        return json;
    }

    public String toJsonString() {
        return toJsonObject().toString().replace("\\/", "/");
    }

    /** test only: the Java type a claim was stored with (proves which setClaim overload ran). */
    public String typeOf(String key) {
        Object value = claims.get(key);
        return value == null ? "null" : value.getClass().getSimpleName();
    }
}
