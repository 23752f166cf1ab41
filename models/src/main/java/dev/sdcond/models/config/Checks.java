package dev.sdcond.models.config;

/** Range checks shared by the config records; they throw {@link IllegalArgumentException} naming the field. */
final class Checks {
    private Checks() {}

    static void positive(String field, double value) {
        if (!(value > 0)) {
            throw new IllegalArgumentException(field + " must be positive, is " + value);
        }
    }

    static void atMost(String field, int value, int max) {
        if (value > max) {
            throw new IllegalArgumentException(field + " is " + value + ", over the " + max + " supported");
        }
    }

    static void divides(String field, int value, String byField, int by) {
        if (by <= 0 || value % by != 0) {
            throw new IllegalArgumentException(field + " (" + value + ") is not a multiple of " + byField + " (" + by + ")");
        }
    }
}
