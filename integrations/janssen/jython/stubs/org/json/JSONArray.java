package org.json;

import java.util.ArrayList;
import java.util.List;

/** Stand-in for org.json.JSONArray (values as JSONObject holds them). */
public class JSONArray {
    final List<Object> values = new ArrayList<>();

    public JSONArray() {
    }

    public int length() { return values.size(); }
    public Object get(int index) { return values.get(index); }
    public String getString(int index) { return String.valueOf(values.get(index)); }
    public JSONArray put(Object value) { values.add(value); return this; }

    @Override
    public String toString() {
        StringBuilder out = new StringBuilder("[");
        for (int i = 0; i < values.size(); i++) {
            if (i > 0) out.append(',');
            JSONObject.write(out, values.get(i));
        }
        return out.append(']').toString();
    }
}
