"""Pure domain rules of TậnTay: identifiers, lifecycle, custody chain, calendar, geography."""
