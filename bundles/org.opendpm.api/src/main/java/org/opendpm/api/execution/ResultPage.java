package org.opendpm.api.execution;

import java.util.List;

/** A page of finished executions and how many match the query in all. */
public record ResultPage(long total, List<Execution> results) {

    public ResultPage {
        results = List.copyOf(results);
    }
}
