package io.vantage.aggregator.cloudwatch;

/** One standard-resolution value for metric {@code name} with dimension Target = {@code target}. */
public record Datum(String name, String target, double value, String unit) {}
