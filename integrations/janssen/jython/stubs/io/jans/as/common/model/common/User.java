package io.jans.as.common.model.common;

import io.jans.orm.model.base.BaseEntry;

/** Stand-in for io.jans.as.common.model.common.User: the user id ("uid") and DN. */
public class User extends BaseEntry {
    private String userId;

    public User() {
    }

    public String getUserId() { return userId; }
    public void setUserId(String userId) { this.userId = userId; }
}
