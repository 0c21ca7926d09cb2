package io.jans.as.model.common;

import java.util.ArrayList;
import java.util.List;

/** Same values and both fromString overloads as io.jans.as.model.common.ResponseType. */
public enum ResponseType {
    CODE("code", "Authorization Code Grant Type"),
    TOKEN("token", "Implicit Grant Type"),
    ID_TOKEN("id_token", "ID Token");

    private final String value;
    private final String displayName;

    ResponseType(String value, String displayName) {
        this.value = value;
        this.displayName = displayName;
    }

    /** null when the value is not a single response type. */
    public static ResponseType fromString(String param) {
        if (param != null) {
            for (ResponseType rt : values()) {
                if (param.equals(rt.value)) return rt;
            }
        }
        return null;
    }

    public static List<ResponseType> fromString(String paramList, String separator) {
        List<ResponseType> responseTypes = new ArrayList<>();
        if (paramList != null && !paramList.isEmpty()) {
            for (String param : paramList.split(separator)) {
                ResponseType rt = fromString(param);
                if (rt != null && !responseTypes.contains(rt)) responseTypes.add(rt);
            }
        }
        return responseTypes;
    }

    public String getValue() { return value; }
    public String getParamName() { return value; }
    public String getDisplayName() { return displayName; }

    @Override
    public String toString() { return value; }
}
