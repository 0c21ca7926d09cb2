// Typed wrappers for libcurl's variadic curl_easy_setopt / curl_easy_getinfo, which Swift
// cannot call. One wrapper per argument type, so each call site says what it passes.
// Only Sources/SSAToolkit/Transport imports this module.
#ifndef SSATOOLKIT_CCURL_SHIM_H
#define SSATOOLKIT_CCURL_SHIM_H

#include <curl/curl.h>

static inline CURLcode ccurl_setopt_long(CURL *_Nonnull h, CURLoption o, long v) {
    return curl_easy_setopt(h, o, v);
}
static inline CURLcode ccurl_setopt_string(CURL *_Nonnull h, CURLoption o, const char *_Nullable v) {
    return curl_easy_setopt(h, o, v);
}
static inline CURLcode ccurl_setopt_pointer(CURL *_Nonnull h, CURLoption o, void *_Nullable v) {
    return curl_easy_setopt(h, o, v);
}
static inline CURLcode ccurl_setopt_slist(CURL *_Nonnull h, CURLoption o, struct curl_slist *_Nullable v) {
    return curl_easy_setopt(h, o, v);
}
// curl copies the blob when CURL_BLOB_COPY is given, so the caller's buffer may go away after.
static inline CURLcode ccurl_setopt_blob_copy(CURL *_Nonnull h, CURLoption o, void *_Nonnull data, size_t len) {
    struct curl_blob blob = { data, len, CURL_BLOB_COPY };
    return curl_easy_setopt(h, o, &blob);
}
typedef size_t (*ccurl_data_callback)(char *_Nonnull, size_t, size_t, void *_Nullable);
static inline CURLcode ccurl_setopt_data_callback(CURL *_Nonnull h, CURLoption o, ccurl_data_callback _Nullable f) {
    return curl_easy_setopt(h, o, f);
}
static inline CURLcode ccurl_getinfo_long(CURL *_Nonnull h, CURLINFO i, long *_Nonnull out) {
    return curl_easy_getinfo(h, i, out);
}
static inline CURLcode ccurl_getinfo_offset(CURL *_Nonnull h, CURLINFO i, curl_off_t *_Nonnull out) {
    return curl_easy_getinfo(h, i, out);
}
static inline CURLcode ccurl_getinfo_string(CURL *_Nonnull h, CURLINFO i, char *_Nullable *_Nonnull out) {
    return curl_easy_getinfo(h, i, out);
}

// The multi interface (one event-loop thread drives every transfer) and the share handle.
static inline CURLMcode ccurl_multi_setopt_long(CURLM *_Nonnull m, CURLMoption o, long v) {
    return curl_multi_setopt(m, o, v);
}
static inline CURLSHcode ccurl_share_setopt_share(CURLSH *_Nonnull s, curl_lock_data d) {
    return curl_share_setopt(s, CURLSHOPT_SHARE, d);
}
// The result of a finished transfer (CURLMsg's union member, which Swift cannot name directly).
static inline CURLcode ccurl_message_result(const CURLMsg *_Nonnull m) {
    return m->data.result;
}

#endif
