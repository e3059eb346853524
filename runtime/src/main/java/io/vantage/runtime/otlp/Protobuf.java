package io.vantage.runtime.otlp;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The little of protobuf's wire format that OTLP's metrics need, written into one growing array: varints, fixed 64-bit
 * values, strings and nested messages. A nested message is opened with {@link #begin} and closed with {@link #end},
 * which writes its length in front of it (one byte is reserved; a longer length moves the message up by the bytes it
 * needs). Field numbers are opentelemetry-proto's (metrics/v1/metrics.proto, common/v1/common.proto,
 * resource/v1/resource.proto, collector/metrics/v1/metrics_service.proto).
 */
final class Protobuf {
    private static final int VARINT = 0;
    private static final int FIXED64 = 1;
    private static final int LENGTH_DELIMITED = 2;

    private byte[] bytes = new byte[4096];
    private int size;

    int size() {
        return size;
    }

    void clear() {
        size = 0;
    }

    /** Back to {@code mark} (a size this writer had), forgetting what was written since. */
    void truncate(int mark) {
        size = mark;
    }

    byte[] toByteArray() {
        return Arrays.copyOf(bytes, size);
    }

    /** Opens a nested message as field {@code field}; returns the mark {@link #end} takes. */
    int begin(int field) {
        tag(field, LENGTH_DELIMITED);
        ensure(1);
        bytes[size++] = 0;
        return size;
    }

    /** Closes the message {@code mark} opened: writes its length before it. */
    void end(int mark) {
        int length = size - mark;
        int extra = varintSize(length) - 1;
        if (extra > 0) {
            ensure(extra);
            System.arraycopy(bytes, mark, bytes, mark + extra, length);
            size += extra;
        }
        int at = mark - 1;
        long value = length;
        while ((value & ~0x7FL) != 0) {
            bytes[at++] = (byte) ((value & 0x7F) | 0x80);
            value >>>= 7;
        }
        bytes[at] = (byte) value;
    }

    void string(int field, String value) {
        tag(field, LENGTH_DELIMITED);
        if (isAscii(value)) {
            varint(value.length());
            ensure(value.length());
            for (int i = 0; i < value.length(); i++) {
                bytes[size++] = (byte) value.charAt(i);
            }
        } else {
            byte[] utf8 = value.getBytes(StandardCharsets.UTF_8);
            varint(utf8.length);
            ensure(utf8.length);
            System.arraycopy(utf8, 0, bytes, size, utf8.length);
            size += utf8.length;
        }
    }

    /** A varint field (uint32, int64, bool, enum). */
    void varint(int field, long value) {
        tag(field, VARINT);
        varint(value);
    }

    /** A fixed64 or sfixed64 field. */
    void fixed64(int field, long value) {
        tag(field, FIXED64);
        fixed64(value);
    }

    void double64(int field, double value) {
        fixed64(field, Double.doubleToRawLongBits(value));
    }

    /** A packed repeated fixed64 field. */
    void packedFixed64(int field, long[] values) {
        tag(field, LENGTH_DELIMITED);
        varint(values.length * 8L);
        for (long value : values) {
            fixed64(value);
        }
    }

    /** A packed repeated double field. */
    void packedDouble(int field, double[] values) {
        tag(field, LENGTH_DELIMITED);
        varint(values.length * 8L);
        for (double value : values) {
            fixed64(Double.doubleToRawLongBits(value));
        }
    }

    private void tag(int field, int wireType) {
        varint(((long) field << 3) | wireType);
    }

    private void varint(long value) {
        ensure(10);
        while ((value & ~0x7FL) != 0) {
            bytes[size++] = (byte) ((value & 0x7F) | 0x80);
            value >>>= 7;
        }
        bytes[size++] = (byte) value;
    }

    private void fixed64(long value) {
        ensure(8);
        for (int i = 0; i < 8; i++) {
            bytes[size++] = (byte) (value >>> (8 * i));
        }
    }

    private static int varintSize(long value) {
        int n = 1;
        while ((value & ~0x7FL) != 0) {
            n++;
            value >>>= 7;
        }
        return n;
    }

    private static boolean isAscii(String value) {
        for (int i = 0; i < value.length(); i++) {
            if (value.charAt(i) >= 0x80) {
                return false;
            }
        }
        return true;
    }

    private void ensure(int more) {
        if (size + more > bytes.length) {
            bytes = Arrays.copyOf(bytes, Math.max(bytes.length * 2, size + more));
        }
    }
}
