package io.vantage.aggregator.reconcile;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The {@code vantage:record} tag: one way to split, within what Route 53 takes, and read back in every form. */
class RecordKeyTest {
    static final String TAG_VALUE = "[\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]{0,256}";

    @Test
    void aSpaceInTheSetIdentifierCannotSplitTheTag() {
        RecordKey key = new RecordKey("Z1", "api.example.com.", "A", "us east");
        assertThat(key.tag()).isEqualTo("Z1/A/api.example.com./us=20east");
        RecordKey.Tag tag = RecordKey.Tag.parse(key.tag());
        assertThat(tag).isEqualTo(new RecordKey.Tag(key.tag(), "Z1", "A", "api.example.com."));
        assertThat(tag.names(key)).isTrue();
        assertThat(tag.names(new RecordKey("Z1", "api.example.com.", "A", "us")))
                .isFalse();
    }

    @Test
    void everyPrintableCharacterIsEscapedIntoWhatATagTakes() {
        StringBuilder printable = new StringBuilder();
        for (char c = 0x20; c < 0x7f; c++) {
            printable.append(c);
        }
        RecordKey key = new RecordKey("Z1", "a\\040b\\057c.example.com.", "TXT", printable + "ü");
        assertThat(key.tag()).matches(TAG_VALUE).hasSizeLessThanOrEqualTo(RecordKey.MAX_TAG_VALUE);
        assertThat(key.tag().split("/", -1)).hasSize(4);
        RecordKey.Tag tag = RecordKey.Tag.parse(key.tag());
        assertThat(tag.name()).isEqualTo(key.name());
        assertThat(tag.names(key)).isTrue();
    }

    @Test
    void aBindingTooLongForATagKeepsADigest() {
        RecordKey key = new RecordKey("Z1", "n".repeat(200) + ".example.com.", "A", "s".repeat(128));
        assertThat(key.tag()).matches("Z1/A/sha256:[A-Za-z0-9_-]{43}");
        RecordKey.Tag tag = RecordKey.Tag.parse(key.tag());
        assertThat(tag.name()).as("unknown: the zone is listed").isNull();
        assertThat(tag.type()).isEqualTo("A");
        assertThat(tag.names(key)).isTrue();
        assertThat(tag.names(new RecordKey("Z1", key.name(), "A", "s".repeat(127))))
                .isFalse();
    }

    @Test
    void aTagOfAnEarlierReleaseIsReadWithItsSetIdentifierWhole() {
        RecordKey key = new RecordKey("Z1", "api.example.com.", "A", "us east 1");
        RecordKey.Tag tag = RecordKey.Tag.parse("Z1 api.example.com. A us east 1");
        assertThat(tag).isEqualTo(new RecordKey.Tag("Z1 api.example.com. A us east 1", "Z1", "A", "api.example.com."));
        assertThat(tag.names(key)).isTrue();
        assertThat(tag.names(new RecordKey("Z1", "api.example.com.", "A", "us east")))
                .isFalse();
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "Z1", "z1/A/x/y", "Z1/A/x", "Z1/A/a=ZZ/b", "Z1/A/a%20/b", "Z1 api.example.com. A"})
    void aTagInNoFormIsUnreadable(String value) {
        assertThat(RecordKey.Tag.parse(value)).isNull();
    }
}
