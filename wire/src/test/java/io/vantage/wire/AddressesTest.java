package io.vantage.wire;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class AddressesTest {
    @ParameterizedTest
    @CsvSource({
        "2001:db8:0:0:0:0:0:1, 2001:db8::1",
        "[2001:db8::1], 2001:db8::1",
        "2001:DB8:0000:0000:0001:0000:0000:0001, 2001:db8::1:0:0:1",
        "2001:db8:0:1:0:0:0:1, 2001:db8:0:1::1",
        "0:0:0:0:0:0:0:1, ::1",
        "0:0:0:0:0:0:0:0, ::",
        "fe80:0:0:0:0:0:0:0, fe80::",
        "2001:db8:1:2:3:4:5:6, 2001:db8:1:2:3:4:5:6",
        "::ffff:192.0.2.1, ::ffff:c000:201",
        "192.0.2.10, 192.0.2.10",
        "API.Example.com., api.example.com",
        "not:an:address!, not:an:address!"
    })
    void canonicalForms(String value, String canonical) {
        assertThat(Addresses.canonical(value)).isEqualTo(canonical);
    }
}
