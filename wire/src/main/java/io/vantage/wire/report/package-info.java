/** Probe results and the batches agents push to {@code POST /v1/reports}. */
package io.vantage.wire.report;
