package dev.sdcond.spark;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.function.Function;
import org.apache.spark.sql.Row;

/**
 * A partition's rows taken {@code size} at a time and encoded lazily, batch by batch, so that a partition never holds
 * more than one batch of results; each batch's rows are counted for {@link Progress}.
 */
final class Batches implements Iterator<Row> {
    private final Iterator<Row> input;
    private final int size;
    private final Function<List<Row>, List<Row>> encode;
    private Iterator<Row> batch = List.<Row>of().iterator();

    /**
     * The encoded rows.
     *
     * @param input the partition's rows
     * @param size rows per batch
     * @param encode one batch's rows to its output rows, in order
     */
    Batches(Iterator<Row> input, int size, Function<List<Row>, List<Row>> encode) {
        this.input = input;
        this.size = size;
        this.encode = encode;
    }

    @Override
    public boolean hasNext() {
        while (!batch.hasNext() && input.hasNext()) {
            List<Row> rows = new ArrayList<>();
            while (rows.size() < size && input.hasNext()) {
                rows.add(input.next());
            }
            batch = encode.apply(rows).iterator();
            Progress.ROWS.addAndGet(rows.size());
        }
        return batch.hasNext();
    }

    @Override
    public Row next() {
        if (!hasNext()) {
            throw new NoSuchElementException();
        }
        return batch.next();
    }
}
