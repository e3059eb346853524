package io.vantage.wire.target;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Record names in Route 53's form: a name written with the characters themselves or with their escapes is the one
 * Route 53 lists, and what Route 53 would refuse is refused with the reason.
 */
class RecordNamesTest {
    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                "API.Example.com            | api.example.com.",
                "api.example.com.           | api.example.com.",
                "*.example.com              | \\052.example.com.",
                "\\052.example.com.         | \\052.example.com.",
                "'a b!\"#$%&''()+,/:;<=>?@[]^`{|}~.c' | a\\040b\\041\\042\\043\\044\\045\\046\\047\\050\\051\\053\\054\\057\\072\\073\\074\\075\\076\\077\\100\\133\\135\\136\\140\\173\\174\\175\\176.c.",
                "\\101\\142c.example.com    | abc.example.com.",
                "dot\\056inside.example.com | dot\\056inside.example.com.",
                "ends\\056                  | ends\\056.",
                "back\\134slash.example.com | back\\134slash.example.com.",
                "_srv-1.example.com         | _srv-1.example.com."
            })
    void aNameHasOneForm(String written, String listed) {
        assertThat(RecordBinding.canonical(written)).isEqualTo(listed);
    }

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                "a\\b.example.com  | has a backslash that starts no octal escape \\000-\\377: write a backslash itself as \\134",
                "a\\400.example.com | has a backslash that starts no octal escape",
                "bücher.example.com | has 'ü', which Route 53 does not take in a name: write an internationalized name in Punycode",
                "a..example.com    | has a label of 0 octets; each must have 1-63",
                "''                | is empty"
            })
    void whatRoute53WouldRefuseIsRefused(String written, String problem) {
        assertThatThrownBy(() -> new RecordBinding("Z1", null, written, "A", "x", null))
                .hasMessageStartingWith("recordName: '" + written + "' ")
                .hasMessageContaining(problem);
    }

    @Test
    void labelsAndNamesAreMeasuredInOctets() {
        // 63 octets, one of them written as an escape: fits; one more does not.
        String label = "\\052" + "a".repeat(62);
        assertThat(new RecordBinding("Z1", null, label + ".example.com", "A", "x", null).recordName())
                .isEqualTo(label + ".example.com");
        assertThatThrownBy(() -> new RecordBinding("Z1", null, label + "a.example.com", "A", "x", null))
                .hasMessageContaining("has a label of 64 octets; each must have 1-63");
        String long256 = ("a".repeat(63) + ".").repeat(4);
        assertThatThrownBy(() -> new RecordBinding("Z1", null, long256, "A", "x", null))
                .hasMessageContaining("has 256 octets with its dots; a name has at most 255");
    }

    /** Route53IdInterceptor (AWS SDK for Java 2.x) lists "eu/west" as "west"; a '/' that leads it is left alone. */
    @Test
    void aSetIdentifierTheSdkWouldCutIsRefused() {
        assertThatThrownBy(() -> new RecordBinding("Z1", null, "api.example.com", "A", "eu/west", null))
                .hasMessageStartingWith("setIdentifier: 'eu/west' has a '/': the AWS SDK for Java lists a record by");
        assertThat(new RecordBinding("Z1", null, "api.example.com", "A", "/eu west", null).setIdentifier())
                .isEqualTo("/eu west");
    }
}
