package io.jans.as.model.util;

import org.bouncycastle.asn1.x500.X500Name;

import java.io.ByteArrayInputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.Base64;

/**
 * The io.jans.as.model.util.CertUtils methods this test needs, with Janssen's logic:
 * x509CertificateFromPem (strip the PEM markers, base64-decode, the JDK's X.509 factory; a second
 * try URL-decoded) and equalsRdn (BouncyCastle X500Name equality under BCStyleExtended), which is
 * what MTLSService uses to compare tls_client_auth_subject_dn with the certificate, and
 * confirmationMethodHashS256 (base64url SHA-256 of the DER: the access token's x5t#S256).
 */
public final class CertUtils {
    private CertUtils() {
    }

    public static X509Certificate x509CertificateFromPem(String pem) {
        try {
            X509Certificate result = fromPem(pem);
            if (result != null) return result;
        } catch (Exception e) {
            // try URL-decoded, as Janssen does
        }
        try {
            return fromPem(URLDecoder.decode(pem, "UTF-8"));
        } catch (Exception e) {
            return null;
        }
    }

    private static X509Certificate fromPem(String pem) throws Exception {
        String body = pem.replace("-----BEGIN CERTIFICATE-----", "").replace("-----END CERTIFICATE-----", "");
        byte[] der = Base64.getMimeDecoder().decode(body.replaceAll("\\s", "").getBytes(StandardCharsets.US_ASCII));
        return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(new ByteArrayInputStream(der));
    }

    public static boolean equalsRdn(String rdn1, String rdn2) {
        if (rdn1 == null || rdn1.trim().isEmpty() || rdn2 == null || rdn2.trim().isEmpty()) {
            return false;
        }
        X500Name n1 = new X500Name(BCStyleExtended.INSTANCE, rdn1);
        X500Name n2 = new X500Name(BCStyleExtended.INSTANCE, rdn2);
        return n1.equals(n2);
    }

    public static String confirmationMethodHashS256(String certificateAsPem) {
        if (certificateAsPem == null || certificateAsPem.trim().isEmpty()) {
            return "";
        }
        try {
            X509Certificate certificate = x509CertificateFromPem(certificateAsPem);
            if (certificate == null) return "";
            byte[] digest = java.security.MessageDigest.getInstance("SHA-256").digest(certificate.getEncoded());
            return Base64.getUrlEncoder().withoutPadding().encodeToString(digest);
        } catch (Exception e) {
            return "";
        }
    }
}
