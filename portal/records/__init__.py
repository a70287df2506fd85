"""External records: environmental credit ratings and supervision and penalty records imported from the
authorities' lists, matched to organisations by unified social credit code."""
