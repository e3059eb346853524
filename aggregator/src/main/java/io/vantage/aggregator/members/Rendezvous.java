package io.vantage.aggregator.members;

import java.nio.charset.StandardCharsets;

/**
 * Rendezvous (highest random weight) hashing: each target goes to the members with the highest weight for it, the
 * weight being a hash of the pair. Every aggregator replica that hears the same members picks the same owners without
 * talking to the others, and a member joining or leaving moves only the targets it wins or held: about 1/N of them.
 */
final class Rendezvous {
    private Rendezvous() {}

    /** A stable 64-bit hash of a name (FNV-1a over its UTF-8 bytes, then mixed). */
    static long hash(String name) {
        long hash = 0xcbf29ce484222325L;
        for (byte b : name.getBytes(StandardCharsets.UTF_8)) {
            hash = (hash ^ (b & 0xff)) * 0x100000001b3L;
        }
        return mix(hash);
    }

    /** The weight of a (target, member) pair. */
    static long weight(long target, long member) {
        return mix(target * 0x9E3779B97F4A7C15L ^ member);
    }

    /**
     * The indexes into {@code members} (their hashes) of the {@code k} with the highest weight for {@code target},
     * highest first; all of them when there are at most {@code k}.
     */
    static int[] owners(long target, long[] members, int k) {
        int count = Math.min(k, members.length);
        int[] best = new int[count];
        long[] weights = new long[count];
        int filled = 0;
        for (int m = 0; m < members.length; m++) {
            long weight = weight(target, members[m]);
            int at = filled;
            while (at > 0 && Long.compareUnsigned(weights[at - 1], weight) < 0) {
                at--;
            }
            if (at >= count) {
                continue;
            }
            int last = Math.min(filled, count - 1);
            System.arraycopy(best, at, best, at + 1, last - at);
            System.arraycopy(weights, at, weights, at + 1, last - at);
            best[at] = m;
            weights[at] = weight;
            filled = Math.min(filled + 1, count);
        }
        return best;
    }

    /** The murmur3 64-bit finalizer. */
    private static long mix(long h) {
        h ^= h >>> 33;
        h *= 0xff51afd7ed558ccdL;
        h ^= h >>> 33;
        h *= 0xc4ceb93fe51a85d3L;
        h ^= h >>> 33;
        return h;
    }
}
