"""(D) A packet exported as a PDF, a DOCX or a ZIP (kinds ``packets.pdf``, ``packets.docx``,
``packets.zip``; the subject is the packet's id), built through ``files.exports``."""
