package org.opendpm.agent.disk;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The order disks are numbered in (see {@link LinuxDiskScanner}): controller family first, then the name compared
 * in runs of letters (shorter first, then alphabetically) and runs of digits (as numbers).
 */
final class DiskOrder implements Comparator<String> {

    static final DiskOrder INSTANCE = new DiskOrder();

    private static final List<String> FAMILIES = List.of("hd", "sd", "vd", "xvd", "nvme", "mmcblk");

    private DiskOrder() {
    }

    @Override
    public int compare(String a, String b) {
        int byFamily = Integer.compare(family(a), family(b));
        if (byFamily != 0) {
            return byFamily;
        }
        List<String> ra = runs(a);
        List<String> rb = runs(b);
        for (int i = 0; i < Math.min(ra.size(), rb.size()); i++) {
            int c = compareRun(ra.get(i), rb.get(i));
            if (c != 0) {
                return c;
            }
        }
        int c = Integer.compare(ra.size(), rb.size());
        return c != 0 ? c : a.compareTo(b);
    }

    /** The family's rank; the longest matching prefix wins ({@code xvd} is not {@code vd}). */
    private static int family(String name) {
        int best = FAMILIES.size();
        int bestLength = -1;
        for (int i = 0; i < FAMILIES.size(); i++) {
            String f = FAMILIES.get(i);
            if (name.startsWith(f) && f.length() > bestLength) {
                best = i;
                bestLength = f.length();
            }
        }
        return best;
    }

    private static int compareRun(String x, String y) {
        boolean dx = Character.isDigit(x.charAt(0));
        boolean dy = Character.isDigit(y.charAt(0));
        if (dx != dy) {
            return dx ? -1 : 1;
        }
        if (dx) {
            String nx = x.replaceFirst("^0+(?=.)", "");
            String ny = y.replaceFirst("^0+(?=.)", "");
            return nx.length() != ny.length() ? Integer.compare(nx.length(), ny.length()) : nx.compareTo(ny);
        }
        return x.length() != y.length() ? Integer.compare(x.length(), y.length()) : x.compareTo(y);
    }

    private static List<String> runs(String name) {
        List<String> runs = new ArrayList<>();
        int start = 0;
        for (int i = 1; i <= name.length(); i++) {
            if (i == name.length() || Character.isDigit(name.charAt(i)) != Character.isDigit(name.charAt(i - 1))) {
                runs.add(name.substring(start, i));
                start = i;
            }
        }
        return runs;
    }
}
